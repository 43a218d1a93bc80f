using System.Text.Json.Nodes;
using SkyServe.Inference.Tokenization;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.Tokenization;

/// <summary>A fixture's tokenizer.json, changed by a test and loaded from a temporary folder.</summary>
internal static class RewrittenTokenizerJson
{
    public static Tokenizer Load(string fixture, Action<JsonObject> change)
    {
        using var folder = new TempDirectory();
        Write(folder.Path, fixture, change);
        return Tokenizer.Load(folder.Path);
    }

    public static void Write(string folder, string fixture, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TokenizerFixtures.FolderOf(fixture), "tokenizer.json")))!.AsObject();
        change(json);
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), json.ToJsonString());
    }
}
