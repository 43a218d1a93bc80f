using System.Text.Json;
using System.Text.Json.Serialization;
using SkyServe.Core.Security;

namespace SkyServe.Providers.Local;

/// <summary>
/// Keeps <see cref="LocalState"/> in one JSON file, replaced atomically (a temporary file renamed over it) on every
/// change, so that a reader never sees half of one; owner-only, since every machine's settings hold its controller
/// token and the spec's envs. Processes sharing the directory change it through <see cref="SharedLocalState"/>.
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

    public LocalState? Load() => Read()?.State;

    /// <summary>The state and the text it was read from (null: no file yet).</summary>
    public (LocalState State, string Text)? Read()
    {
        string text;
        try
        {
            text = File.ReadAllText(FilePath);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        return (Parse(text), text);
    }

    public static string Serialize(LocalState state) => JsonSerializer.Serialize(state, Json);

    public void Save(LocalState state) => Write(Serialize(state));

    /// <summary>Replaces the file with <paramref name="text"/> (only one writer at a time: the temporary file's name is fixed).</summary>
    public void Write(string text)
    {
        OwnerOnly.CreateDirectory(directory);
        var temp = FilePath + ".tmp";
        OwnerOnly.WriteAllText(temp, text);
        File.Move(temp, FilePath, overwrite: true);
    }

    private LocalState Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<LocalState>(text, Json)
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"the local runtime's state file {FilePath} is damaged: {e.Message}", e);
        }
    }
}
