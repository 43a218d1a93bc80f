namespace SkyServe.Inference.Tokenization;

/// <summary>A tokenizer folder that cannot be loaded: a missing file, malformed JSON or an unsupported component.</summary>
public sealed class TokenizerLoadException(string message, Exception? inner = null) : Exception(message, inner);
