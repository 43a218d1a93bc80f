namespace SkyServe.Inference.ChatTemplates;

/// <summary>Where {% set %} or a {% for %} loop puts a value: a name, several names to unpack into, or a namespace attribute.</summary>
internal delegate void AssignmentTarget(RenderState state, object? value);
