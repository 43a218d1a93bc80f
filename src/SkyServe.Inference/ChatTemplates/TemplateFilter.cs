namespace SkyServe.Inference.ChatTemplates;

/// <summary>A filter such as trim or tojson: value | name(arguments).</summary>
internal delegate object? TemplateFilter(object? value, CallArguments arguments);
