using System.Globalization;
using SkyServe.Inference.Cuda.Native;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Cuda;

/// <summary>
/// The engine's kernels (Kernels/llama.cu), compiled by NVRTC at start for this device's architecture with the model's
/// shape as macros, and typed launchers for them. Every launch goes on the device's one stream.
/// </summary>
internal sealed unsafe class CudaKernels : IDisposable
{
    public const string SourceResource = "SkyServe.Cuda.llama.cu";
    public const int GemvMaxRows = 2; // measured: at 8 rows the GEMV ran 4x slower than cuBLAS
    private const int GemvWarps = 8;
    private const int AttentionThreads = 256;
    private const int SampleThreads = 1024;

    private readonly CudaDevice device;
    private readonly nint module;
    private readonly nint embed, addRmsNorm, gatherRows, ropeStore, attention, siluMul, gemv, gemv1, sample;

    private CudaKernels(CudaDevice device, nint module)
    {
        this.device = device;
        this.module = module;
        embed = Function("embed");
        addRmsNorm = Function("add_rmsnorm");
        gatherRows = Function("gather_rows");
        ropeStore = Function("rope_store");
        attention = Function("attention");
        siluMul = Function("silu_mul");
        gemv = Function("gemv");
        gemv1 = Function("gemv1");
        sample = Function("sample");
    }

    /// <summary>The kernels' CUDA C source, as embedded in this assembly.</summary>
    public static string Source()
    {
        using var stream = typeof(CudaKernels).Assembly.GetManifestResourceStream(SourceResource)
            ?? throw new InvalidOperationException($"the embedded resource {SourceResource} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>NVRTC's options for a model and device: the architecture and the shape macros the source expects.</summary>
    public static IReadOnlyList<string> CompileOptions(ModelConfig config, int kvBlockTokens, (int Major, int Minor) computeCapability) =>
    [
        $"--gpu-architecture=sm_{computeCapability.Major}{computeCapability.Minor}",
        "-std=c++17",
        Define("HEAD_DIM", config.HeadDim),
        Define("N_HEADS", config.NumAttentionHeads),
        Define("N_KV_HEADS", config.NumKeyValueHeads),
        Define("KV_BLOCK", kvBlockTokens),
        Define("SLIDING_WINDOW", config.SlidingWindow ?? 0),
    ];

    private static string Define(string name, int value) => $"-D{name}={value.ToString(CultureInfo.InvariantCulture)}";

    public static CudaKernels Compile(CudaDevice device, ModelConfig config, int kvBlockTokens)
    {
        var cubin = Nvrtc.CompileToCubin(Source(), "llama.cu", CompileOptions(config, kvBlockTokens, device.ComputeCapability));
        nint module;
        fixed (byte* image = cubin)
            Driver.Check(Driver.cuModuleLoadData(out module, image), "cuModuleLoadData");
        return new CudaKernels(device, module);
    }

    private nint Function(string name)
    {
        Driver.Check(Driver.cuModuleGetFunction(out var function, module, name), $"cuModuleGetFunction({name})");
        return function;
    }

    private void Launch(nint function, string name, uint gridX, uint gridY, uint block, params ReadOnlySpan<KernelArgument> arguments)
    {
        if (gridX == 0 || gridY == 0)
            return;
        var slots = stackalloc long[arguments.Length];
        var pointers = stackalloc void*[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            slots[i] = arguments[i].Bits;
            pointers[i] = slots + i;
        }
        Driver.Check(Driver.cuLaunchKernel(function, gridX, gridY, 1, block, 1, 1, 0, device.Stream, pointers, null), $"launching {name}");
    }

    private static KernelArgument P(nint pointer) => KernelArgument.Pointer(pointer);
    private static KernelArgument I(int value) => KernelArgument.Int(value);
    private static KernelArgument F(float value) => KernelArgument.Float(value);

    public void Embed(int rows, nint tokens, nint table, nint hidden, int hiddenSize) =>
        Launch(embed, "embed", (uint)rows, 1, 256, P(tokens), P(table), P(hidden), I(hiddenSize));

    public void AddRmsNorm(int rows, nint hidden, nint delta, nint bias, nint weight, nint output, int hiddenSize, float eps) =>
        Launch(addRmsNorm, "add_rmsnorm", (uint)rows, 1, 256, P(hidden), P(delta), P(bias), P(weight), P(output), I(hiddenSize), F(eps));

    public void GatherRows(int rows, nint source, nint rowIndices, nint destination, int width) =>
        Launch(gatherRows, "gather_rows", (uint)rows, 1, 256, P(source), P(rowIndices), P(destination), I(width));

    public void RopeStore(int rows, nint qkv, nint qkvBias, nint positions, nint rowSequence, nint blockTables, nint header, nint inverseFrequencies, nint keyCache, nint valueCache) =>
        Launch(ropeStore, "rope_store", (uint)rows, 1, 256, P(qkv), P(qkvBias), P(positions), P(rowSequence), P(blockTables), P(header), P(inverseFrequencies), P(keyCache), P(valueCache));

    public void Attention(int rows, int heads, nint qkv, nint positions, nint rowSequence, nint blockTables, nint header, nint keyCache, nint valueCache, nint output, float scale) =>
        Launch(attention, "attention", (uint)rows, (uint)heads, AttentionThreads, P(qkv), P(positions), P(rowSequence), P(blockTables), P(header), P(keyCache), P(valueCache), P(output), F(scale));

    public void SiluMul(int rows, nint gateUp, nint bias, nint output, int intermediate)
    {
        var total = (long)rows * intermediate;
        var blocks = (uint)Math.Min((total + 255) / 256, device.Multiprocessors * 16L);
        Launch(siluMul, "silu_mul", blocks, 1, 256, P(gateUp), P(bias), P(output), I(intermediate), I(rows));
    }

    /// <summary>y[rows, n] = x[rows, k] · w[n, k]ᵀ for at most <see cref="GemvMaxRows"/> rows; k a multiple of 8.</summary>
    public void Gemv(nint weights, nint input, nint output, int n, int k, int rows, bool outputFloat)
    {
        if (rows == 1)
            Launch(gemv1, "gemv1", (uint)((n + GemvWarps - 1) / GemvWarps), 1, GemvWarps * 32, P(weights), P(input), P(output), I(n), I(k), I(outputFloat ? 1 : 0));
        else
            GemvRows(weights, input, output, n, k, rows, outputFloat);
    }

    private void GemvRows(nint weights, nint input, nint output, int n, int k, int rows, bool outputFloat) =>
        Launch(gemv, "gemv", (uint)((n + GemvWarps - 1) / GemvWarps), 1, GemvWarps * 32, P(weights), P(input), P(output), I(n), I(k), I(rows), I(outputFloat ? 1 : 0));

    public void Sample(int rows, nint logits, int vocab, nint parameters, nint tokens) =>
        Launch(sample, "sample", (uint)rows, 1, SampleThreads, P(logits), I(vocab), P(parameters), P(tokens));

    public void Dispose() => Driver.cuModuleUnload(module);
}
