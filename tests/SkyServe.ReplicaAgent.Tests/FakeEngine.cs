using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// tests/fixtures/fake-engine/engine.py: a small python3 HTTP server that stands in for vLLM behind the agent's
/// <c>--run</c>. Each test gives it a unique marker argument, so that `pgrep -f MARKER` finds exactly its processes.
/// </summary>
public static class FakeEngine
{
    public static string Script => Path.Combine(RepoPaths.Root, "tests", "fixtures", "fake-engine", "engine.py");

    public static string NewMarker() => $"fake-engine-{Guid.NewGuid():N}";

    /// <summary>A run command that starts the engine (with optional VAR=value settings before it).</summary>
    public static string Run(string marker, string settings = "") => $"{settings} exec python3 {Script} {marker}".Trim();

    /// <summary>The agent's flags for an external engine in <paramref name="workDir"/>, readiness on the engine's /healthz.</summary>
    public static string[] AgentArgs(string workDir, string run, params string[] more) =>
        ["--readiness-path", "/healthz", "--workdir", workDir, "--run", run, "--engine-restart-delay-ms", "200", .. more];
}
