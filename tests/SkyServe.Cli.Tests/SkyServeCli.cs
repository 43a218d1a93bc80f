using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>Runs the real `skyserve` program (built beside the tests) as a child process, with its own SKYSERVE_HOME.</summary>
public sealed class SkyServeCli(string home)
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "skyserve.dll");

    public string Home { get; } = home;

    public Task<ProcessRunner.Result> RunAsync(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Dll, .. args], Environment());

    /// <summary>Runs it in <paramref name="workingDirectory"/> (a spec's relative workdir and file_mounts paths are relative to it).</summary>
    public Task<ProcessRunner.Result> RunInAsync(string workingDirectory, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Dll, .. args], Environment(), workingDirectory);

    /// <summary>Runs it with <paramref name="env"/> added to (or overriding) its usual environment.</summary>
    public Task<ProcessRunner.Result> RunWithAsync(IReadOnlyDictionary<string, string> env, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Dll, .. args], Environment().Concat(env).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value));

    public IReadOnlyDictionary<string, string> Environment() => new Dictionary<string, string>
    {
        ["SKYSERVE_HOME"] = Home,
        ["SKYSERVE_URL"] = "",
        ["SKYSERVE_TOKEN"] = "",
        ["DOTNET_NOLOGO"] = "1",
        // The local runtime runs a spec's setup on this machine: the vLLM example's `pip install vllm` must not download.
        ["PIP_NO_INDEX"] = "1",
    };
}
