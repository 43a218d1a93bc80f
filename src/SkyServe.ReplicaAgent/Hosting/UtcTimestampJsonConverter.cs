using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>Writes every timestamp of the agent's JSON in <see cref="UtcTimestamp"/> form; reads any ISO-8601.</summary>
public sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(UtcTimestamp.Format(value));
}
