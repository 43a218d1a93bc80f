namespace SkyServe.Inference.ChatTemplates;

/// <summary>A block tag being parsed ({% if %}, {% for %}...), with the tags that may continue or close it.</summary>
internal sealed record OpenBlock(string Tag, TemplateToken Opener, string[] EndTags);
