namespace SkyServe.Inference.ChatTemplates;

/// <summary>A test such as defined or string: value is name(arguments).</summary>
internal delegate bool TemplateTest(object? value, CallArguments arguments);
