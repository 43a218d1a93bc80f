namespace SkyServe.Inference.ChatTemplates;

/// <summary>How a statement ended: normally, or with {% break %} / {% continue %} for the innermost loop.</summary>
internal enum LoopSignal
{
    None,
    Break,
    Continue,
}
