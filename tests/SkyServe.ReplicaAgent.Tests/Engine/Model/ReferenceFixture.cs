using System.Text.Json;
using SkyServe.ReplicaAgent.Engine.Model;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests.Engine.Model;

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

    /// <summary>
    /// The engine set up as the reference ran. generate_reference.py casts the Qwen2 model to bf16 before saving
    /// it, and Module.to casts the rotary inv_freq buffer as well; the later .float() widens it back, but the
    /// rounding stays. So for a bf16 fixture the reference's rope frequencies are ours rounded to bf16.
    /// </summary>
    public CpuLlamaModel LoadModelAsReferenceRan()
    {
        if (!StoredInBFloat16)
            return CpuLlamaModel.Load(Directory);

        var config = ModelConfig.Load(Path.Combine(Directory, CpuLlamaModel.ConfigFileName));
        using var checkpoint = SafetensorsCheckpoint.Open(Directory);
        var exact = new RotaryEmbedding(config.Rope, config.HeadDim).InverseFrequencies;
        var rotary = new RotaryEmbedding(exact.Select(BFloat16Rounding.RoundToNearestEven).ToArray());
        return new CpuLlamaModel(config, LlamaWeights.Load(checkpoint, config), rotary);
    }
}
