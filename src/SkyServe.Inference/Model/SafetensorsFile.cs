using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace SkyServe.Inference.Model;

/// <summary>
/// One .safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
/// shape and byte range, then the data. Tensors are read with large positional reads straight into their
/// float32 arrays (F32), or through a pooled chunk (F16, BF16) that is widened as it goes.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>The format caps headers at 100 MB; anything larger is a corrupt length.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const int ConversionChunkBytes = 16 << 20;
    private const int MaxReadBytes = 1 << 30;

    private readonly SafeFileHandle handle;

    public string Path { get; }

    public IReadOnlyDictionary<string, SafetensorsTensor> Tensors { get; }

    private SafetensorsFile(string path, SafeFileHandle handle, IReadOnlyDictionary<string, SafetensorsTensor> tensors)
    {
        Path = path;
        this.handle = handle;
        Tensors = tensors;
    }

    public static SafetensorsFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"cannot open {path}: {e.Message}", e);
        }

        try
        {
            return new SafetensorsFile(path, handle, ReadHeader(path, handle));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public SafetensorsTensor GetTensor(string name) =>
        Tensors.TryGetValue(name, out var tensor) ? tensor : throw new CheckpointException($"tensor '{name}' is not in {Path}");

    /// <summary>The tensor's elements as float32, widening F16 and BF16.</summary>
    public float[] ReadFloat32(string name)
    {
        var tensor = GetTensor(name);
        if (!SafetensorsDTypes.IsReadableAsFloat32(tensor.DType))
            throw new CheckpointException($"tensor '{name}' in {Path} has dtype {tensor.DType}; the engine reads F32, F16 and BF16");
        if (tensor.ElementCount > Array.MaxLength)
            throw new CheckpointException($"tensor '{name}' in {Path} has {tensor.ElementCount} elements, more than one array holds");

        var values = new float[tensor.ElementCount];
        if (tensor.DType == SafetensorsDTypes.Float32)
        {
            ReadExactly(tensor.FileOffset, MemoryMarshal.AsBytes(values.AsSpan()), tensor);
            return values;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(ConversionChunkBytes, tensor.ByteLength));
        try
        {
            long done = 0;
            while (done < tensor.ByteLength)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length & ~1, tensor.ByteLength - done));
                ReadExactly(tensor.FileOffset + done, chunk, tensor);
                var destination = values.AsSpan((int)(done / 2), chunk.Length / 2);
                if (tensor.DType == SafetensorsDTypes.Float16)
                    HalfPrecisionConversion.Float16ToSingle(chunk, destination);
                else
                    HalfPrecisionConversion.BFloat16ToSingle(chunk, destination);
                done += chunk.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return values;
    }

    /// <summary>A BF16 tensor's bit patterns as stored, followed by <see cref="WeightMatrix.BFloat16Padding"/> zeros.</summary>
    public ushort[] ReadBFloat16Bits(string name)
    {
        var tensor = GetTensor(name);
        if (tensor.DType != SafetensorsDTypes.BFloat16)
            throw new CheckpointException($"tensor '{name}' in {Path} has dtype {tensor.DType}, not BF16");
        if (tensor.ElementCount + WeightMatrix.BFloat16Padding > Array.MaxLength)
            throw new CheckpointException($"tensor '{name}' in {Path} has {tensor.ElementCount} elements, more than one array holds");
        var bits = WeightMatrix.AllocateBFloat16(tensor.ElementCount);
        ReadExactly(tensor.FileOffset, MemoryMarshal.AsBytes(bits.AsSpan(0, (int)tensor.ElementCount)), tensor);
        return bits;
    }

    public void Dispose() => handle.Dispose();

    private void ReadExactly(long offset, Span<byte> destination, SafetensorsTensor tensor)
    {
        while (!destination.IsEmpty)
        {
            var slice = destination[..Math.Min(destination.Length, MaxReadBytes)];
            var read = RandomAccess.Read(handle, slice, offset);
            if (read == 0)
                throw new CheckpointException($"{Path} is truncated: tensor '{tensor.Name}' ends past the end of the file");
            offset += read;
            destination = destination[read..];
        }
    }

    private static Dictionary<string, SafetensorsTensor> ReadHeader(string path, SafeFileHandle handle)
    {
        var fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
            throw new CheckpointException($"{path} is truncated: {fileLength} bytes, shorter than the 8-byte header length");

        Span<byte> lengthBytes = stackalloc byte[8];
        RandomAccess.Read(handle, lengthBytes, 0);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderLength)
            throw new CheckpointException($"{path} is not a safetensors file: header length {headerLength} exceeds {MaxHeaderLength}");
        if ((long)headerLength > fileLength - 8)
            throw new CheckpointException($"{path} is truncated: the header needs {headerLength} bytes, the file has {fileLength - 8} after the length");

        var headerBytes = new byte[headerLength];
        if (RandomAccess.Read(handle, headerBytes, 8) != headerBytes.Length)
            throw new CheckpointException($"{path} is truncated inside its header");

        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            if (header.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{path}: the header is not a JSON object");

            var tensors = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
            foreach (var entry in header.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                    continue;
                var tensor = ParseEntry(path, entry, dataStart, dataLength);
                tensors[tensor.Name] = tensor;
            }
            return tensors;
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

    private static SafetensorsTensor ParseEntry(string path, JsonProperty entry, long dataStart, long dataLength)
    {
        var name = entry.Name;
        var dtype = entry.Value.GetProperty("dtype").GetString()
            ?? throw new CheckpointException($"{path}: tensor '{name}' has no dtype");
        var elementSize = SafetensorsDTypes.ElementSize(dtype)
            ?? throw new CheckpointException($"{path}: tensor '{name}' has unknown dtype '{dtype}'");

        var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(dimension => dimension.GetInt64()).ToArray();
        if (shape.Any(dimension => dimension < 0))
            throw new CheckpointException($"{path}: tensor '{name}' has a negative dimension");

        var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(offset => offset.GetInt64()).ToArray();
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
            throw new CheckpointException($"{path}: tensor '{name}' has malformed data_offsets");
        if (offsets[1] > dataLength)
            throw new CheckpointException($"{path} is truncated: tensor '{name}' ends at data byte {offsets[1]}, the file holds {dataLength}");

        var tensor = new SafetensorsTensor(name, dtype, shape, path, dataStart + offsets[0], offsets[1] - offsets[0]);
        if (tensor.ElementCount * elementSize != tensor.ByteLength)
            throw new CheckpointException(
                $"{path}: tensor '{name}' ({dtype} {tensor.ShapeText}) needs {tensor.ElementCount * elementSize} bytes, its data_offsets span {tensor.ByteLength}");
        return tensor;
    }
}
