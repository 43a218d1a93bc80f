namespace SkyServe.Inference.Tokenization;

/// <summary>A piece of text on its way to the model, and whether it begins the whole input (Metaspace's "first" scheme asks).</summary>
internal readonly record struct PreToken(string Text, bool StartsInput);
