using SkyServe.ReplicaAgent.Engine.Cuda;
using SkyServe.ReplicaAgent.Engine.Model;
using SkyServe.ReplicaAgent.Tests.Engine.Model;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests.Engine.Cuda;

/// <summary>
/// What of the CUDA engine runs without a GPU: its kernel source and NVRTC options, the shapes it accepts, bfloat16
/// rounding, and the agent refusing --engine cuda clearly where no CUDA driver is installed (as on CI's machines).
/// The kernels themselves run on the GPU machine (bench/gpu.sh).
/// </summary>
public sealed class CudaEngineTests
{
    [Fact]
    public void The_kernel_source_is_embedded_and_defines_every_kernel_the_engine_launches()
    {
        var source = CudaKernels.Source();

        foreach (var kernel in new[] { "embed", "add_rmsnorm", "gather_rows", "rope_store", "attention", "silu_mul", "gemv", "gemv1", "sample" })
            Assert.Contains($"extern \"C\" __global__ void {kernel}(", source);
        Assert.DoesNotContain("#include", source); // NVRTC gets no include paths
    }

    [Fact]
    public void Kernels_are_compiled_for_the_device_with_the_models_shape()
    {
        var config = ReferenceFixture.Load(ReferenceFixture.Llama).LoadModel().Config;

        var options = CudaKernels.CompileOptions(config, 16, (9, 0));

        Assert.Equal(["--gpu-architecture=sm_90", "-std=c++17", "-DHEAD_DIM=16", "-DN_HEADS=4", "-DN_KV_HEADS=2", "-DKV_BLOCK=16", "-DSLIDING_WINDOW=0"], options);
    }

    [Fact]
    public void The_reference_fixtures_shapes_are_supported_and_odd_head_sizes_are_refused()
    {
        foreach (var name in new[] { ReferenceFixture.Llama, ReferenceFixture.Qwen2 })
            CudaLlamaModel.CheckSupported(ReferenceFixture.Load(name).LoadModel().Config);
        var config = ReferenceFixture.Load(ReferenceFixture.Llama).LoadModel().Config;

        var error = Assert.Throws<CheckpointException>(() => CudaLlamaModel.CheckSupported(config with { HeadDim = 15 }));
        Assert.Contains("head_dim 15", error.Message);
    }

    [Theory]
    [InlineData(1.0f, 0x3f80)]
    [InlineData(-2.5f, 0xc020)]
    [InlineData(1.00390625f, 0x3f80)] // halfway, rounds to even
    [InlineData(1.01171875f, 0x3f82)] // halfway, rounds to even (up)
    [InlineData(3.14159274f, 0x4049)]
    public void Float32_rounds_to_the_nearest_bfloat16_with_ties_to_even(float value, int bits)
    {
        Assert.Equal((ushort)bits, BFloat16.Round(value));
        Assert.True(Math.Abs(BFloat16.Widen(BFloat16.Round(value)) - value) <= Math.Abs(value) / 256);
    }

    [Fact]
    public async Task The_agent_refuses_engine_cuda_where_no_cuda_driver_is_present()
    {
        if (File.Exists("/usr/lib/x86_64-linux-gnu/libcuda.so.1") || Directory.Exists("/proc/driver/nvidia"))
            return; // a GPU machine: bench/gpu.sh runs the engine there
        var model = Path.Combine(RepoPaths.Root, "tests", "fixtures", ReferenceFixture.Llama);

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
