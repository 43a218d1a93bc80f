namespace SkyServe.Inference.Model;

/// <summary>How the rotary inverse frequencies are derived from rope_theta (transformers' rope_type).</summary>
public enum RopeType
{
    Default,
    Linear,
    Llama3,
}
