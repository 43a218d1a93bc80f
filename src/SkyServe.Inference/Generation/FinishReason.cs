namespace SkyServe.Inference.Generation;

/// <summary>Why a generation ended, with OpenAI's wire names.</summary>
public static class FinishReason
{
    /// <summary>End-of-sequence token or a stop sequence.</summary>
    public const string Stop = "stop";
    /// <summary>max_tokens reached.</summary>
    public const string Length = "length";
    /// <summary>The agent is shutting down or the request was cancelled.</summary>
    public const string Abort = "abort";
}
