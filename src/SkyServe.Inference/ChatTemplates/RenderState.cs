using System.Text;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>Everything one render changes: the output so far, the innermost scope and the macro call depth.</summary>
internal sealed class RenderState(Scope scope, TimeProvider clock)
{
    // Deep enough for any real template; stops a recursive macro before it overflows the stack.
    private const int MaxCallDepth = 64;

    public StringBuilder Output { get; set; } = new();

    public Scope Scope { get; set; } = scope;

    /// <summary>The clock strftime_now reads.</summary>
    public TimeProvider Clock => clock;

    public int CallDepth { get; private set; }

    public void EnterCall(string name)
    {
        if (CallDepth >= MaxCallDepth)
            throw new ChatTemplateException($"calls to '{name}' nest more than {MaxCallDepth} deep");
        CallDepth++;
    }

    public void LeaveCall() => CallDepth--;

    /// <summary>Runs <paramref name="body"/> in <paramref name="bodyScope"/> and returns what it output instead of writing it.</summary>
    public string Capture(CompiledStatement body, Scope bodyScope)
    {
        var (outerOutput, outerScope) = (Output, Scope);
        Output = new StringBuilder();
        Scope = bodyScope;
        try
        {
            body(this);
            return Output.ToString();
        }
        finally
        {
            (Output, Scope) = (outerOutput, outerScope);
        }
    }
}
