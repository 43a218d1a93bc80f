using System.Text.Json.Serialization;

namespace SkyServe.Contracts;

/// <summary>An enum on the wire by its <see cref="JsonStringEnumMemberNameAttribute"/> names only: a number is refused, not cast.</summary>
public sealed class WireEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(namingPolicy: null, allowIntegerValues: false)
    where TEnum : struct, Enum;
