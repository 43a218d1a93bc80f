namespace SkyServe.Inference.Tokenization;

/// <summary>An entry of tokenizer.json's added_tokens: matched in the text before anything else, never split.</summary>
internal sealed record AddedToken(
    int Id,
    string Content,
    bool Special,
    bool SingleWord = false,
    bool StripLeft = false,
    bool StripRight = false,
    bool Normalized = false);
