namespace SkyServe.Inference.Tokenization;

/// <summary>A range of the input that is either an added token or plain text still to tokenize.</summary>
internal readonly record struct TextSegment(int Start, int End, AddedToken? Token);
