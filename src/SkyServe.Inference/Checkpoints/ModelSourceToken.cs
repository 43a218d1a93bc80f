namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// The bearer token for an HTTP(S) model source: <c>SKYSERVE_MODEL_TOKEN</c>, or for huggingface.co (gated and private
/// repositories) Hugging Face's own <c>HF_TOKEN</c>, as a spec's <c>envs</c> usually carries it. It is sent to the source's
/// own host only: HttpClient drops the Authorization header when it follows a redirect (the Hub sends weights from a
/// CDN with signed URLs), so the token never reaches another host.
/// </summary>
public static class ModelSourceToken
{
    public const string Variable = "SKYSERVE_MODEL_TOKEN";
    public const string HuggingFaceVariable = "HF_TOKEN";

    public static string? FromEnvironment(Uri source) => For(source, Environment.GetEnvironmentVariable);

    public static string? For(Uri source, Func<string, string?> environment)
    {
        if (environment(Variable) is { Length: > 0 } token)
            return token;
        var host = source.IdnHost;
        var huggingFace = host.Equals("huggingface.co", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".huggingface.co", StringComparison.OrdinalIgnoreCase);
        return huggingFace && environment(HuggingFaceVariable) is { Length: > 0 } hub ? hub : null;
    }
}
