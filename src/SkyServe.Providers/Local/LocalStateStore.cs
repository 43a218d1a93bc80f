using System.Text.Json;
using System.Text.Json.Serialization;
using SkyServe.Core.Security;

namespace SkyServe.Providers.Local;

/// <summary>
/// Keeps <see cref="LocalState"/> in one JSON file, replaced atomically on every change; owner-only, since every
/// machine's settings hold its controller token and the spec's envs.
/// </summary>
public sealed class LocalStateStore(string directory)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    public string FilePath => Path.Combine(directory, "machines.json");

    public LocalState? Load()
    {
        if (!File.Exists(FilePath))
            return null;
        try
        {
            return JsonSerializer.Deserialize<LocalState>(File.ReadAllText(FilePath), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"the local runtime's state file {FilePath} is damaged: {e.Message}", e);
        }
    }

    public void Save(LocalState state)
    {
        OwnerOnly.CreateDirectory(directory);
        var temp = FilePath + ".tmp";
        OwnerOnly.WriteAllText(temp, JsonSerializer.Serialize(state, Json));
        File.Move(temp, FilePath, overwrite: true);
    }
}
