using System.Text.Json;
using System.Text.Json.Serialization;
using SkyServe.Controller.Hosting;
using SkyServe.Core.Security;

namespace SkyServe.Cli;

/// <summary>Where the CLI finds the controller: flags, then SKYSERVE_URL / SKYSERVE_TOKEN, then $SKYSERVE_HOME/config.json.</summary>
public sealed record CliConfig(
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("token")] string? Token)
{
    public const string DefaultUrl = "http://127.0.0.1:30580";

    public static string FilePath => Path.Combine(SkyServeHome.Path, "config.json");

    public static CliConfig Resolve(string? urlFlag, string? tokenFlag)
    {
        var file = Load();
        return new CliConfig(
            urlFlag ?? Env("SKYSERVE_URL") ?? file?.Url ?? DefaultUrl,
            tokenFlag ?? Env("SKYSERVE_TOKEN") ?? file?.Token);
    }

    public void Save()
    {
        OwnerOnly.CreateDirectory(Path.GetDirectoryName(FilePath)!); // the file holds the API token
        OwnerOnly.WriteAllText(FilePath, JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static CliConfig? Load()
    {
        try
        {
            return File.Exists(FilePath) ? JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(FilePath)) : null;
        }
        catch (JsonException e)
        {
            throw new CliException($"cannot read {FilePath}: {e.Message}");
        }
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
