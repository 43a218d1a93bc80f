using System.Text.Json;

namespace SkyServe.Contracts;

/// <summary>How every contract travels: JSON with snake_case names (enums carry their wire names themselves).</summary>
public static class ContractJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
