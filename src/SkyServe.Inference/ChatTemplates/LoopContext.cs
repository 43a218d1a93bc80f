namespace SkyServe.Inference.ChatTemplates;

/// <summary>The loop variable of a {% for %}: loop.index, loop.first, loop.last, loop.length and the rest.</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public int Length => items.Count;

    public object? GetAttribute(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : new Undefined("there is no previous item"),
        "nextitem" => Index0 + 1 < items.Count ? items[Index0 + 1] : new Undefined("there is no next item"),
        "depth" => 1L,
        "depth0" => 0L,
        "cycle" => new TemplateCallable("loop.cycle", (arguments, _) => Cycle(arguments)),
        _ => Undefined.Attribute(this, name),
    };

    private object? Cycle(CallArguments arguments)
    {
        if (arguments.Positional.Count == 0)
            throw new ChatTemplateException("loop.cycle() needs at least one value");
        return arguments.Positional[Index0 % arguments.Positional.Count];
    }
}
