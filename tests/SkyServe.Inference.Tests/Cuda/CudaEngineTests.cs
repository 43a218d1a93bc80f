using SkyServe.Inference.Cuda;
using SkyServe.Inference.Model;
using SkyServe.Inference.Tests.Model;

namespace SkyServe.Inference.Tests.Cuda;

/// <summary>
/// What of the CUDA engine runs without a GPU: its kernel source and NVRTC options, the shapes it accepts and bfloat16
/// rounding (the agent's --engine cuda flags: ReplicaAgent.Tests' CudaFlagTests).
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
}
