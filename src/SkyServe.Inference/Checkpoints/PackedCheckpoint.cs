using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// A file in the packed layout (<see cref="PackedCheckpointFormat"/>): opened by reading its one small header,
/// loaded by <see cref="LoadAll"/> with large, aligned, in-order reads straight into the tensors' arrays.
/// </summary>
public sealed class PackedCheckpoint : IDisposable
{
    private readonly SafeFileHandle handle;

    public string Path { get; }
    public IReadOnlyList<PackedTensorInfo> Tensors { get; }
    public long DataStart { get; }
    public long DataLength { get; }
    public long FileLength => DataStart + DataLength;

    /// <summary>Bytes of tensor data (without padding): what a load reads.</summary>
    public long TensorBytes => Tensors.Sum(tensor => tensor.Length);

    private PackedCheckpoint(string path, SafeFileHandle handle, IReadOnlyList<PackedTensorInfo> tensors, long dataStart, long dataLength)
    {
        Path = path;
        this.handle = handle;
        Tensors = tensors;
        DataStart = dataStart;
        DataLength = dataLength;
    }

    /// <summary>Opens and validates the header; a truncated or padded-out file fails here, before any tensor is read.</summary>
    public static PackedCheckpoint Open(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"cannot open {path}: {e.Message}", e);
        }
        try
        {
            var (tensors, dataStart, dataLength) = ReadHeader(path, handle);
            return new PackedCheckpoint(path, handle, tensors, dataStart, dataLength);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads every tensor into its own array: BF16 and F32 as stored (the engine computes from BF16 directly), F16
    /// widened to float32. The file is cut into pieces of <see cref="PackedLoadOptions.ChunkBytes"/> taken in file order
    /// by <see cref="PackedLoadOptions.Readers"/> threads: the disk sees one stream with a few reads in flight, and from
    /// the page cache the copies (and the first-touch page faults of the new arrays) run on several cores. F32 and BF16
    /// pieces land in their arrays directly; F16 pieces go through a per-reader buffer and are widened.
    /// </summary>
    public PackedTensors LoadAll(PackedLoadOptions? options = null)
    {
        options ??= new PackedLoadOptions();
        if (options.Map && !options.DirectIo && MappedFile.IsSupported)
            return MapAll();
        var clock = Stopwatch.StartNew();
        var arrays = new Dictionary<string, LoadedTensor>(StringComparer.Ordinal);
        var pieces = new List<Piece>();
        var chunk = (int)PackedCheckpointFormat.AlignUp(Math.Max(options.ChunkBytes, PackedCheckpointFormat.Alignment), PackedCheckpointFormat.Alignment);
        foreach (var tensor in Tensors)
        {
            if (tensor.ElementCount + WeightMatrix.BFloat16Padding > Array.MaxLength)
                throw new CheckpointException($"tensor '{tensor.Name}' in {Path} has {tensor.ElementCount} elements, more than one array holds");
            LoadedTensor loaded = tensor.DType == SafetensorsDTypes.BFloat16
                ? new(tensor, null, WeightMatrix.AllocateBFloat16(tensor.ElementCount))
                : new(tensor, AllocateFloat32(tensor.ElementCount), null);
            arrays.Add(tensor.Name, loaded);
            for (long done = 0; done < tensor.Length; done += chunk)
                pieces.Add(new Piece(loaded, done, (int)Math.Min(chunk, tensor.Length - done)));
        }

        var readers = Math.Clamp(options.Readers > 0 ? options.Readers : Math.Min(Environment.ProcessorCount, PackedLoadOptions.MaxDefaultReaders), 1, Math.Max(1, pieces.Count));
        var directIo = options.DirectIo && DirectIo.IsSupported;
        using var direct = directIo ? DirectIo.Open(Path) : null;
        var next = -1;
        void Read()
        {
            using var buffer = new AlignedBuffer(directIo || Tensors.Any(tensor => tensor.DType == SafetensorsDTypes.Float16) ? chunk : 0);
            for (var i = Interlocked.Increment(ref next); i < pieces.Count; i = Interlocked.Increment(ref next))
                ReadPiece(pieces[i], direct ?? handle, directIo, buffer);
        }

        if (readers == 1)
            Read();
        else
            Parallel.For(0, readers, new ParallelOptions { MaxDegreeOfParallelism = readers }, _ => Read());
        return new PackedTensors(Path, arrays, TensorBytes, clock.Elapsed);
    }

    /// <summary>
    /// Maps the file (<see cref="MappedFile"/>) and leaves BF16 and F32 tensors where they lie: the returned tensors'
    /// <see cref="PackedTensors.Mapping"/> must outlive every use of them. F16 tensors are widened into arrays, and so is
    /// copied a BF16 tensor whose kernel padding would run past the end of the mapping (the file's last one, when it ends
    /// on a page boundary).
    /// </summary>
    public unsafe PackedTensors MapAll()
    {
        var clock = Stopwatch.StartNew();
        var mapping = MappedFile.Open(handle, FileLength, Path);
        try
        {
            var arrays = new Dictionary<string, LoadedTensor>(StringComparer.Ordinal);
            foreach (var tensor in Tensors)
            {
                var start = DataStart + tensor.Offset;
                var padding = tensor.DType == SafetensorsDTypes.BFloat16 ? WeightMatrix.BFloat16Padding * sizeof(ushort) : 0;
                LoadedTensor loaded;
                if (tensor.DType is SafetensorsDTypes.BFloat16 or SafetensorsDTypes.Float32 && start + tensor.Length + padding <= mapping.ReadableLength)
                    loaded = new(tensor, null, null, (nint)(mapping.Pointer + start));
                else if (tensor.DType == SafetensorsDTypes.BFloat16)
                {
                    var bits = WeightMatrix.AllocateBFloat16(tensor.ElementCount);
                    new ReadOnlySpan<byte>(mapping.Pointer + start, checked((int)tensor.Length)).CopyTo(MemoryMarshal.AsBytes(bits.AsSpan()));
                    loaded = new(tensor, null, bits);
                }
                else
                {
                    var values = AllocateFloat32(tensor.ElementCount);
                    HalfPrecisionConversion.Float16ToSingle(new ReadOnlySpan<byte>(mapping.Pointer + start, checked((int)tensor.Length)), values);
                    loaded = new(tensor, values, null);
                }
                arrays.Add(tensor.Name, loaded);
            }
            return new PackedTensors(Path, arrays, TensorBytes, clock.Elapsed) { Mapping = mapping };
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    public void Dispose() => handle.Dispose();

    private static float[] AllocateFloat32(long count)
    {
        var values = GC.AllocateUninitializedArray<float>((int)count);
        HugePages.Advise(values);
        return values;
    }

    private void ReadPiece(Piece piece, SafeFileHandle source, bool directIo, AlignedBuffer buffer)
    {
        var tensor = piece.Tensor.Info;
        var offset = DataStart + tensor.Offset + piece.Start;
        // F32 and BF16 land in their arrays as stored; F16 is widened to float32 on the way.
        var destination = piece.Tensor.BFloat16 is { } bits
            ? MemoryMarshal.AsBytes(bits.AsSpan())
            : tensor.DType == SafetensorsDTypes.Float32 ? MemoryMarshal.AsBytes(piece.Tensor.Float32.AsSpan()) : default;
        if (!destination.IsEmpty && !directIo)
        {
            ReadExactly(source, destination.Slice((int)piece.Start, piece.Length), offset, tensor);
            return;
        }

        // O_DIRECT wants block-aligned lengths: read whole blocks (the file is padded to them), use what the piece needs.
        var bytes = buffer.Span[..(directIo ? (int)PackedCheckpointFormat.AlignUp(piece.Length, PackedCheckpointFormat.Alignment) : piece.Length)];
        ReadExactly(source, bytes, offset, tensor);
        bytes = bytes[..piece.Length];
        if (!destination.IsEmpty)
            bytes.CopyTo(destination.Slice((int)piece.Start, piece.Length));
        else
            HalfPrecisionConversion.Float16ToSingle(bytes, piece.Tensor.Float32.AsSpan((int)(piece.Start / 2), piece.Length / 2));
    }

    private void ReadExactly(SafeFileHandle source, Span<byte> destination, long offset, PackedTensorInfo tensor)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(source, destination, offset);
            if (read == 0)
                throw new CheckpointException($"{Path} is truncated: tensor '{tensor.Name}' ends past the end of the file");
            offset += read;
            destination = destination[read..];
        }
    }

    private static (List<PackedTensorInfo> Tensors, long DataStart, long DataLength) ReadHeader(string path, SafeFileHandle handle)
    {
        var fileLength = RandomAccess.GetLength(handle);
        Span<byte> preamble = stackalloc byte[PackedCheckpointFormat.PreambleLength];
        if (fileLength < preamble.Length || RandomAccess.Read(handle, preamble, 0) != preamble.Length)
            throw new CheckpointException($"{path} is truncated: {fileLength} bytes, shorter than the packed layout's preamble");
        if (!preamble[..8].SequenceEqual(PackedCheckpointFormat.Magic))
            throw new CheckpointException($"{path} is not a packed checkpoint (no {PackedCheckpointFormat.MagicText} magic)");
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(preamble[8..]);
        if (headerLength <= 0 || headerLength > PackedCheckpointFormat.MaxHeaderLength || headerLength > fileLength - preamble.Length)
            throw new CheckpointException($"{path} is truncated or corrupt: header length {headerLength}, file length {fileLength}");

        var header = new byte[headerLength];
        if (RandomAccess.Read(handle, header, preamble.Length) != header.Length)
            throw new CheckpointException($"{path} is truncated inside its header");
        var dataStart = PackedCheckpointFormat.AlignUp(preamble.Length + headerLength, PackedCheckpointFormat.Alignment);
        try
        {
            using var document = JsonDocument.Parse(header);
            var root = document.RootElement;
            var format = root.GetProperty("format").GetInt32();
            if (format != PackedCheckpointFormat.Version)
                throw new CheckpointException($"{path} has packed format {format}; this agent reads format {PackedCheckpointFormat.Version}");
            var alignment = root.GetProperty("alignment").GetInt64();
            var dataLength = root.GetProperty("data_length").GetInt64();
            if (alignment != PackedCheckpointFormat.Alignment || dataLength < 0 || dataLength % alignment != 0)
                throw new CheckpointException($"{path}: malformed header (alignment {alignment}, data_length {dataLength})");
            if (fileLength != dataStart + dataLength)
                throw new CheckpointException(
                    $"{path} is {(fileLength < dataStart + dataLength ? "truncated" : "corrupt")}: the header describes {dataStart + dataLength} bytes, the file has {fileLength}");

            var tensors = new List<PackedTensorInfo>();
            foreach (var entry in root.GetProperty("tensors").EnumerateArray())
            {
                var tensor = new PackedTensorInfo(
                    entry.GetProperty("name").GetString() ?? throw new CheckpointException($"{path}: a tensor has no name"),
                    entry.GetProperty("dtype").GetString() ?? "",
                    entry.GetProperty("shape").EnumerateArray().Select(dimension => dimension.GetInt64()).ToArray(),
                    entry.GetProperty("offset").GetInt64(),
                    entry.GetProperty("length").GetInt64());
                if (!SafetensorsDTypes.IsReadableAsFloat32(tensor.DType))
                    throw new CheckpointException($"{path}: tensor '{tensor.Name}' has dtype '{tensor.DType}'; packed tensors are F32, F16 or BF16");
                if (tensor.Shape.Any(dimension => dimension < 0) || tensor.Offset < 0 || tensor.Offset % alignment != 0
                    || tensor.Length != tensor.ElementCount * SafetensorsDTypes.ElementSize(tensor.DType) || tensor.Offset + tensor.Length > dataLength)
                    throw new CheckpointException($"{path}: tensor '{tensor.Name}' has a malformed shape or byte range");
                tensors.Add(tensor);
            }
            return (tensors, dataStart, dataLength);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path}: the header is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new CheckpointException($"{path}: malformed header: {e.Message}", e);
        }
    }

    private sealed record Piece(LoadedTensor Tensor, long Start, int Length);
}
