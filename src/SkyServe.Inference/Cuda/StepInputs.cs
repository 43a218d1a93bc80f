using System.Runtime.InteropServices;
using SkyServe.Inference.Cuda.Native;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Cuda;

/// <summary>
/// Where a pass's inputs sit in one block of 32-bit words, on the host (page-locked) and on the device alike, so that one
/// copy moves them all: a header (word 0: the block table's row stride), token ids, positions, each row's sequence, the
/// rows whose logits are wanted, three floats per logit row for sampling, then the block tables. Captured decode graphs
/// read everything from these fixed addresses.
/// </summary>
public sealed record StepInputLayout(int MaxRows, int MaxLogitRows, int MaxBlocksPerSequence)
{
    public const int HeaderWords = 4;
    public int Tokens => HeaderWords;
    public int Positions => Tokens + MaxRows;
    public int RowSequence => Positions + MaxRows;
    public int LogitRows => RowSequence + MaxRows;
    public int SampleParameters => LogitRows + MaxLogitRows;
    public int BlockTables => SampleParameters + 3 * MaxLogitRows;
    public long Words => BlockTables + (long)MaxLogitRows * MaxBlocksPerSequence;

    /// <summary>
    /// Writes a pass into <paramref name="words"/>: rows in part order, each part's new tokens at positions after its
    /// cache's length; with <paramref name="decodeBatch"/>, padding rows up to that size that read and write only the
    /// scratch block. Returns the rows, the logit rows and how many words to copy.
    /// </summary>
    /// <param name="blocks">Per step, its cache's blocks (enough for the new positions).</param>
    public (int Rows, int LogitRows, int UsedWords) Fill(Span<int> words, IReadOnlyList<PassPart> parts, IReadOnlyList<IReadOnlyList<int>> stepTokens,
        IReadOnlyList<int> cacheLengths, IReadOnlyList<IReadOnlyList<int>> blocks, IReadOnlyList<TokenDraw>? draws, int? decodeBatch, int blockTokens)
    {
        var sequences = decodeBatch ?? parts.Count;
        var stride = 1;
        foreach (var part in parts)
            stride = Math.Max(stride, (cacheLengths[part.Step] + part.Count + blockTokens - 1) / blockTokens);
        if (sequences > MaxLogitRows || stride > MaxBlocksPerSequence)
            throw new ArgumentException($"the pass has {sequences} sequences of up to {stride} blocks; the layout holds {MaxLogitRows} of {MaxBlocksPerSequence}");
        words[0] = stride;
        var parameters = MemoryMarshal.Cast<int, float>(words[SampleParameters..BlockTables]);
        int row = 0, logitRow = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var tokens = stepTokens[part.Step];
            for (var j = 0; j < part.Count; j++, row++)
            {
                if (row >= MaxRows)
                    throw new ArgumentException($"the pass has more than {MaxRows} rows");
                words[Tokens + row] = tokens[part.Offset + j];
                words[Positions + row] = cacheLengths[part.Step] + j;
                words[RowSequence + row] = i;
                if (j >= part.Count - part.LogitRows)
                {
                    words[LogitRows + logitRow] = row;
                    var draw = draws?[part.Step] ?? TokenDraw.Greedy;
                    parameters[3 * logitRow] = draw.Temperature;
                    parameters[3 * logitRow + 1] = draw.TopP;
                    parameters[3 * logitRow + 2] = draw.Uniform;
                    logitRow++;
                }
            }
            var table = words.Slice(BlockTables + i * stride, stride);
            table.Clear();
            var held = blocks[part.Step];
            for (var b = 0; b < stride && b < held.Count; b++)
                table[b] = held[b];
        }
        for (var pad = parts.Count; pad < sequences; pad++, row++, logitRow++)
        {
            words[Tokens + row] = 0;
            words[Positions + row] = 0;
            words[RowSequence + row] = pad;
            words[LogitRows + logitRow] = row;
            parameters[3 * logitRow] = 0;
            parameters[3 * logitRow + 1] = 1;
            parameters[3 * logitRow + 2] = 0;
            words.Slice(BlockTables + pad * stride, stride).Clear(); // the scratch block
        }
        return (row, logitRow, BlockTables + sequences * stride);
    }
}

/// <summary>The step inputs' host and device copies (<see cref="StepInputLayout"/>).</summary>
internal sealed unsafe class StepInputs : IDisposable
{
    private readonly StepInputLayout layout;
    private readonly DeviceBuffer device;
    private readonly PinnedBuffer host;
    private int usedWords;

    public StepInputs(CudaEngineOptions options, int maxBlocksPerSequence, DeviceBuffer device)
    {
        layout = Layout(options, maxBlocksPerSequence);
        this.device = device;
        host = new PinnedBuffer(layout.Words * sizeof(int));
    }

    private static StepInputLayout Layout(CudaEngineOptions options, int maxBlocksPerSequence) =>
        new(options.MaxPassTokens, options.MaxLogitRows, maxBlocksPerSequence);

    public static long Bytes(CudaEngineOptions options, int maxBlocksPerSequence) => Layout(options, maxBlocksPerSequence).Words * sizeof(int);

    private nint At(int word) => device.Pointer + word * sizeof(int);
    public nint Header => At(0);
    public nint Tokens => At(layout.Tokens);
    public nint Positions => At(layout.Positions);
    public nint RowSequence => At(layout.RowSequence);
    public nint LogitRows => At(layout.LogitRows);
    public nint SampleParameters => At(layout.SampleParameters);
    public nint BlockTables => At(layout.BlockTables);

    public (int Rows, int LogitRows) Fill(PassPart[] parts, IReadOnlyList<SequenceStep> steps, CudaKvCache[] caches, IReadOnlyList<TokenDraw>? draws, int? decodeBatch)
    {
        var words = new Span<int>((void*)host.Pointer, checked((int)layout.Words));
        var (rows, logitRows, used) = layout.Fill(words, parts, [.. steps.Select(s => s.Tokens)], [.. caches.Select(c => c.Length)],
            [.. caches.Select(c => c.Blocks)], draws, decodeBatch, CudaEngineOptions.KvBlockTokens);
        usedWords = used;
        return (rows, logitRows);
    }

    public void Upload(CudaDevice cuda) =>
        Driver.Check(Driver.cuMemcpyHtoDAsync(device.Pointer, (void*)host.Pointer, (nuint)(usedWords * sizeof(int)), cuda.Stream), "cuMemcpyHtoDAsync (step inputs)");

    /// <summary>Copies the sampled tokens back (into the host buffer's logit-row section, which this pass no longer needs).</summary>
    public int[] DownloadTokens(CudaDevice cuda, nint sampled, int count)
    {
        var target = (void*)(host.Pointer + layout.LogitRows * sizeof(int));
        Driver.Check(Driver.cuMemcpyDtoHAsync(target, sampled, (nuint)(count * sizeof(int)), cuda.Stream), "cuMemcpyDtoHAsync (tokens)");
        cuda.Synchronize();
        return new Span<int>(target, count).ToArray();
    }

    public void Dispose() => host.Dispose(); // the device buffer belongs to the workspace
}
