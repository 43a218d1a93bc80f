namespace SkyServe.Inference.Model;

/// <summary>
/// Rotary embedding settings: transformers 5's rope_parameters, or transformers 4's rope_theta plus rope_scaling.
/// Factor applies to linear and llama3; the frequency factors and original context length to llama3 only.
/// </summary>
public sealed record RopeParameters(
    double Theta,
    RopeType Type = RopeType.Default,
    double Factor = 1.0,
    double LowFreqFactor = 1.0,
    double HighFreqFactor = 4.0,
    int OriginalMaxPositionEmbeddings = 8192);
