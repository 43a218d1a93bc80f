using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests.OpenAi;

/// <summary>One real agent process serving the tiny-llama fixture (read in place), shared by a test class.</summary>
public sealed class TinyLlamaAgent : IAsyncLifetime
{
    public static string Model => Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama");

    /// <summary>The fixture's max_position_embeddings.</summary>
    public const int ContextWindow = 256;

    public AgentProcess Agent { get; private set; } = null!;

    public static Task<AgentProcess> StartAsync(params string[] extra) =>
        AgentProcess.StartAsync(["--model", Model, "--model-cache", "none", .. extra]);

    public async Task InitializeAsync() => Agent = await StartAsync();

    public async Task DisposeAsync() => await Agent.DisposeAsync();
}
