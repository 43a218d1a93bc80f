using System.Text.Json;
using System.Text.Json.Nodes;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

/// <summary>
/// Service YAMLs in the style of SkyPilot's published serve examples (Corpus/*.yaml), each beside its verdict in
/// <c>NAME.expected.json</c>: <c>{"verdict": "accepted", "service": {...}, "use_spot": .., "accelerators": ..,
/// "candidates": [..]}</c> with the effective <c>service:</c> section and the expanded resource candidates, or
/// <c>{"verdict": "refused", "errors": [{"path": .., "message": "fragment"}]}</c> with the key each error names. An
/// optional <c>"inputs": {"envs": {..}, "secrets": {..}}</c> stands for <c>--env</c>/<c>--secret</c> values.
/// Set SKYSERVE_CORPUS_WRITE=1 to write missing sidecars from the parser, then review them by hand.
/// </summary>
public sealed class CorpusTests
{
    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "tests", "SkyServe.Core.Tests", "Spec", "Corpus");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.yaml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void The_corpus_covers_both_verdicts_widely()
    {
        var verdicts = Directory.EnumerateFiles(Folder, "*.expected.json")
            .Select(file => (string?)JsonNode.Parse(File.ReadAllText(file))!["verdict"]).ToList();
        Assert.True(verdicts.Count(v => v == "accepted") >= 25, "at least 25 accepted files");
        Assert.True(verdicts.Count(v => v == "refused") >= 15, "at least 15 refused files");
        Assert.Equal(Directory.EnumerateFiles(Folder, "*.yaml").Count(), verdicts.Count);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Each_file_gets_its_expected_verdict(string fileName)
    {
        var expectedPath = Path.Combine(Folder, Path.ChangeExtension(fileName, ".expected.json"));
        var existing = File.Exists(expectedPath) ? JsonNode.Parse(File.ReadAllText(expectedPath))!.AsObject() : null;
        var inputs = Inputs(existing?["inputs"]);
        var result = ServiceSpecParser.TryParse(File.ReadAllText(Path.Combine(Folder, fileName)), inputs);
        var actual = Describe(result, existing?["inputs"], existing?["errors"]);
        if ((existing is null || existing["verdict"] is null) && Environment.GetEnvironmentVariable("SKYSERVE_CORPUS_WRITE") == "1")
        {
            File.WriteAllText(expectedPath, actual.ToJsonString(new JsonSerializerOptions(EffectiveSpecJson.IndentedOptions)) + "\n");
            return;
        }
        Assert.NotNull(existing);
        Assert.Equal((string?)existing["verdict"], (string?)actual["verdict"]);
        if ((string?)existing["verdict"] == "refused")
        {
            foreach (var error in existing["errors"]!.AsArray())
                Assert.Contains(result.Errors, e => e.Path == (string?)error!["path"] && e.Message.Contains((string)error["message"]!, StringComparison.Ordinal));
            return;
        }
        foreach (var key in new[] { "service", "use_spot", "accelerators", "candidates" })
            Assert.True(JsonNode.DeepEquals(existing[key], actual[key]), $"{key}: expected {existing[key]?.ToJsonString()}, got {actual[key]?.ToJsonString()}");
        // Accepted files keep their meaning through the effective form, as the API stores and shows it.
        Assert.True(ServiceSpecParser.Parse(EffectiveSpecJson.Write(result.Spec!), inputs).IsEquivalentTo(result.Spec!));
    }

    private static JsonObject Describe(SpecParseResult result, JsonNode? inputs, JsonNode? expectedErrors)
    {
        var json = new JsonObject { ["verdict"] = result.IsValid ? "accepted" : "refused" };
        if (inputs is not null)
            json["inputs"] = inputs.DeepClone();
        if (!result.IsValid)
        {
            json["errors"] = expectedErrors?.DeepClone()
                ?? new JsonArray([.. result.Errors.Select(e => (JsonNode)new JsonObject { ["path"] = e.Path, ["message"] = e.Message })]);
            return json;
        }
        var effective = EffectiveSpecJson.ToJsonObject(result.Spec!);
        json["service"] = effective["service"]!.DeepClone();
        json["use_spot"] = result.Spec!.Resources.UseSpot;
        json["accelerators"] = new JsonArray([.. result.Spec.Resources.Accelerators.Select(a => (JsonNode)a.ToString())]);
        json["candidates"] = new JsonArray([.. result.Spec.Resources.Candidates().Select(c => (JsonNode)c.ToString())]);
        return json;
    }

    private static SpecInputs Inputs(JsonNode? inputs) => inputs is null ? SpecInputs.None : new SpecInputs
    {
        Envs = Strings(inputs["envs"]),
        Secrets = Strings(inputs["secrets"]),
    };

    private static Dictionary<string, string> Strings(JsonNode? map) =>
        map?.AsObject().ToDictionary(entry => entry.Key, entry => (string)entry.Value!) ?? [];
}
