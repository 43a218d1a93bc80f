using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// The agent's --engine cuda without a GPU: it refuses clearly where no CUDA driver is installed (as on CI's machines)
/// and exits 2 on misused flags. The engine itself: Inference.Tests' CudaEngineTests and, on a GPU machine, bench/gpu.sh.
/// </summary>
public sealed class CudaFlagTests
{
    [Fact]
    public async Task The_agent_refuses_engine_cuda_where_no_cuda_driver_is_present()
    {
        if (File.Exists("/usr/lib/x86_64-linux-gnu/libcuda.so.1") || Directory.Exists("/proc/driver/nvidia"))
            return; // a GPU machine: bench/gpu.sh runs the engine there
        var model = Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama");

        var result = await ProcessRunner.RunAsync("dotnet", [AgentProcess.Dll, "--port", "0", "--engine", "cuda", "--model", model, "--model-cache", "none"],
            new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["SKYSERVE_CUDA_LIBRARY_PATH"] = "" }, AppContext.BaseDirectory, TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}:\n{result.Output}");
        Assert.Contains("--engine cuda needs an NVIDIA GPU and its CUDA driver: libcuda.so.1 or libcuda.so was not found", result.Stderr);
        Assert.DoesNotContain("Unhandled exception", result.Output);
        Assert.DoesNotContain("listening", result.Stdout);
    }

    [Theory]
    [InlineData("--engine cuda serves a model: give --model", "--engine", "cuda")]
    [InlineData("--gpu-memory-utilization must be a number in (0, 1]", "--gpu-memory-utilization", "1.5")]
    [InlineData("--gpu-memory-utilization goes with --engine cuda", "--gpu-memory-utilization", "0.5")]
    public async Task Misuse_of_the_cuda_flags_exits_2(string message, params string[] args)
    {
        var result = await ProcessRunner.RunAsync("dotnet", [AgentProcess.Dll, "--port", "0", .. args],
            new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1" }, AppContext.BaseDirectory, TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}:\n{result.Output}");
        Assert.Contains(message, result.Stderr);
    }
}
