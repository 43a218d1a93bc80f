namespace SkyServe.Inference.ChatTemplates;

/// <summary>A parsed expression, ready to evaluate against the variables of one render.</summary>
internal delegate object? CompiledExpression(RenderState state);
