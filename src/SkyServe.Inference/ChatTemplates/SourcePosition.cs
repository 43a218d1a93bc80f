namespace SkyServe.Inference.ChatTemplates;

/// <summary>A 1-based line and column in the template source.</summary>
internal readonly record struct SourcePosition(int Line, int Column);
