namespace SkyServe.Inference.Model;

/// <summary>Which files the weights came from.</summary>
public enum WeightLayout
{
    Safetensors,
    Packed,
}

/// <summary>How long reading the weights took: tensor bytes read from the files and the wall time of the read.</summary>
public sealed record WeightLoadStatistics(WeightLayout Layout, long BytesRead, TimeSpan Elapsed)
{
    /// <summary>Bytes read per second, in GB/s (10^9 bytes).</summary>
    public double GigabytesPerSecond => Elapsed > TimeSpan.Zero ? BytesRead / Elapsed.TotalSeconds / 1e9 : 0;
}
