using System.Text.Json;
using SkyServe.Inference.Model;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.Model;

/// <summary>A tiny model under tests/fixtures/ with the outputs transformers computed for it (generate_reference.py).</summary>
public sealed record ReferenceFixture(string Name, string Directory, bool StoredInBFloat16, IReadOnlyList<ReferenceCase> Cases)
{
    public const string Llama = "tiny-llama";
    public const string Qwen2 = "tiny-qwen2";

    public static ReferenceFixture Load(string name)
    {
        var directory = Path.Combine(RepoPaths.Root, "tests", "fixtures", name);
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "config.json")));
        var storedInBFloat16 = config.RootElement.TryGetProperty("dtype", out var dtype) && dtype.GetString() == "bfloat16";

        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "expected.json")));
        var cases = expected.RootElement.GetProperty("model").EnumerateArray().Select(item => new ReferenceCase(
            item.GetProperty("prompt").GetString()!,
            item.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToArray(),
            item.GetProperty("logits").EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.GetSingle()).ToArray()).ToArray(),
            item.GetProperty("greedy").EnumerateArray().Select(id => id.GetInt32()).ToArray())).ToArray();
        return new ReferenceFixture(name, directory, storedInBFloat16, cases);
    }

    /// <summary>The engine on the fixture's folder; the reference ran float32 on the stored (for Qwen2, bf16-rounded) weights.</summary>
    public CpuLlamaModel LoadModel() => CpuLlamaModel.Load(Directory);
}
