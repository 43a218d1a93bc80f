using System.Text;

namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// The loading-optimised layout the checkpoint store converts models into, one file per model
/// (<see cref="FileName"/>):
/// <code>
/// bytes 0-7     "SKYPACK1"
/// bytes 8-15    header length H, little-endian
/// bytes 16..    header: UTF-8 JSON {"format": 1, "alignment": 4096, "data_length": N,
///               "tensors": [{"name", "dtype", "shape", "offset", "length"}, ...]}
/// padding       up to the data start, the first multiple of the alignment at or after 16 + H
/// data          N bytes: each tensor at data start + its offset, offsets multiples of the alignment, in header order
/// </code>
/// The file ends exactly at data start + N (N is a multiple of the alignment), so a truncated copy is
/// caught before any tensor is read. Tensors are stored as F32, F16 or BF16 and are widened to float32 as
/// they load. Aligned offsets make every read page-aligned (and usable with O_DIRECT); one small header
/// replaces safetensors' per-shard headers and index; one file in engine order replaces the shards.
/// </summary>
public static class PackedCheckpointFormat
{
    public const string FileName = "weights.skypack";
    public const int Version = 1;
    public const int Alignment = 4096;
    public const int PreambleLength = 16;
    public const long MaxHeaderLength = 100_000_000;

    public static ReadOnlySpan<byte> Magic => "SKYPACK1"u8;

    internal static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;

    internal static string MagicText => Encoding.ASCII.GetString(Magic);
}
