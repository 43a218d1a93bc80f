namespace SkyServe.Inference.ChatTemplates;

/// <summary>A parsed piece of template (text, output, tag), run for its output; says whether a loop must break or continue.</summary>
internal delegate LoopSignal CompiledStatement(RenderState state);
