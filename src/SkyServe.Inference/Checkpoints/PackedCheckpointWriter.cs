using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Checkpoints;

/// <summary>Converts a safetensors checkpoint (one file or shards) into the packed layout, once per model.</summary>
public static class PackedCheckpointWriter
{
    private const int CopyChunkBytes = 16 << 20;

    /// <summary>
    /// Writes every F32/F16/BF16 tensor of <paramref name="source"/> to <paramref name="destination"/>, flushed
    /// to disk. Tensors of other dtypes (none in the decoders the engine runs) are left out. Returns the file's length.
    /// </summary>
    public static long Write(SafetensorsCheckpoint source, string destination, PackedDType dtype = PackedDType.Source)
    {
        var tensors = source.TensorNames
            .Order(NaturalOrder.Instance)
            .Select(source.GetTensor)
            .Where(tensor => SafetensorsDTypes.IsReadableAsFloat32(tensor.DType))
            .ToList();

        var layout = new List<(SafetensorsTensor Source, PackedTensorInfo Packed)>(tensors.Count);
        long offset = 0;
        foreach (var tensor in tensors)
        {
            var storedDType = dtype == PackedDType.Float32 ? SafetensorsDTypes.Float32 : tensor.DType;
            var length = storedDType == tensor.DType ? tensor.ByteLength : tensor.ElementCount * 4;
            layout.Add((tensor, new PackedTensorInfo(tensor.Name, storedDType, tensor.Shape, offset, length)));
            offset = PackedCheckpointFormat.AlignUp(offset + length, PackedCheckpointFormat.Alignment);
        }
        var dataLength = offset;

        var header = JsonSerializer.SerializeToUtf8Bytes(new
        {
            format = PackedCheckpointFormat.Version,
            alignment = PackedCheckpointFormat.Alignment,
            data_length = dataLength,
            tensors = layout.Select(entry => new
            {
                name = entry.Packed.Name,
                dtype = entry.Packed.DType,
                shape = entry.Packed.Shape,
                offset = entry.Packed.Offset,
                length = entry.Packed.Length,
            }),
        });
        var dataStart = PackedCheckpointFormat.AlignUp(PackedCheckpointFormat.PreambleLength + header.Length, PackedCheckpointFormat.Alignment);

        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        output.SetLength(dataStart + dataLength); // padding reads back as zeros
        var preamble = new byte[PackedCheckpointFormat.PreambleLength];
        PackedCheckpointFormat.Magic.CopyTo(preamble);
        BinaryPrimitives.WriteInt64LittleEndian(preamble.AsSpan(8), header.Length);
        output.Write(preamble);
        output.Write(header);

        var handles = new Dictionary<string, SafeFileHandle>(StringComparer.Ordinal);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyChunkBytes);
        var widened = ArrayPool<byte>.Shared.Rent(CopyChunkBytes * 2);
        try
        {
            foreach (var (tensor, packed) in layout)
            {
                if (!handles.TryGetValue(tensor.FilePath, out var input))
                    handles[tensor.FilePath] = input = File.OpenHandle(tensor.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
                output.Position = dataStart + packed.Offset;
                var widen = packed.DType != tensor.DType;
                for (long done = 0; done < tensor.ByteLength;)
                {
                    var chunk = buffer.AsSpan(0, (int)Math.Min(CopyChunkBytes, tensor.ByteLength - done));
                    ReadExactly(input, chunk, tensor.FileOffset + done, tensor);
                    if (widen)
                    {
                        var floats = MemoryMarshal.Cast<byte, float>(widened.AsSpan(0, chunk.Length * 2));
                        if (tensor.DType == SafetensorsDTypes.Float16)
                            HalfPrecisionConversion.Float16ToSingle(chunk, floats);
                        else
                            HalfPrecisionConversion.BFloat16ToSingle(chunk, floats);
                        output.Write(widened, 0, chunk.Length * 2);
                    }
                    else
                    {
                        output.Write(chunk);
                    }
                    done += chunk.Length;
                }
            }
            output.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(widened);
            foreach (var handle in handles.Values)
                handle.Dispose();
        }
        return dataStart + dataLength;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long offset, SafetensorsTensor tensor)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(handle, destination, offset);
            if (read == 0)
                throw new CheckpointException($"{tensor.FilePath} is truncated: tensor '{tensor.Name}' ends past the end of the file");
            offset += read;
            destination = destination[read..];
        }
    }
}
