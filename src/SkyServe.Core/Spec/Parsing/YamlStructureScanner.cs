using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// A first pass over the YAML event stream, before any node tree is built: reports syntax errors, duplicate
/// keys (all of them, with their paths), aliases to unknown anchors, more than one document and absurd
/// nesting. The event parser is iterative, so hostile input cannot overflow the stack here, and the tree is
/// only built once this passes.
/// </summary>
internal sealed class YamlStructureScanner(SpecReadContext context)
{
    /// <summary>Far deeper than any spec needs; keeps later recursive walks safe.</summary>
    public const int MaxDepth = 64;

    private readonly Stack<Frame> frames = new();
    private readonly HashSet<string> anchors = new(StringComparer.Ordinal);
    private Mark lastMark = new(0, 1, 1);

    /// <summary>True when the text is well-formed enough to build a node tree from.</summary>
    public bool Scan(string text)
    {
        var parser = new Parser(new StringReader(text));
        var documents = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                lastMark = current.Start;
                if (current is NodeEvent { Anchor.IsEmpty: false } anchored && current is not AnchorAlias)
                    anchors.Add(anchored.Anchor.Value);
                switch (current)
                {
                    case DocumentStart:
                        if (++documents > 1)
                        {
                            context.Error(SpecPath.Root, current.Start, "expected one YAML document, found several ('---' starts a second one)");
                            return false;
                        }
                        break;
                    case Scalar scalar:
                        OnNode(scalar.Start, scalar.Value);
                        break;
                    case AnchorAlias alias:
                        var aliasPath = OnNode(alias.Start, null);
                        if (!anchors.Contains(alias.Value.Value))
                            context.Error(aliasPath, alias.Start, $"the alias *{alias.Value.Value} refers to no anchor (&{alias.Value.Value}) defined before it");
                        break;
                    case MappingStart mapping:
                        if (!Open(new Frame(OnNode(mapping.Start, null), IsMapping: true, mapping.Style == MappingStyle.Flow, mapping.Start)))
                            return false;
                        break;
                    case SequenceStart sequence:
                        if (!Open(new Frame(OnNode(sequence.Start, null), IsMapping: false, sequence.Style == SequenceStyle.Flow, sequence.Start)))
                            return false;
                        break;
                    case MappingEnd or SequenceEnd:
                        frames.Pop();
                        break;
                }
            }
        }
        catch (YamlException exception)
        {
            var open = frames.FirstOrDefault(frame => frame.IsFlow);
            if (open is not null && exception.Start.Index >= text.TrimEnd().Length)
                ReportUnclosed(open);
            else
                context.Error(SpecPath.Root, LocateSyntaxError(exception, text), $"YAML syntax error: {Describe(exception)}");
            return false;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this instead of a YamlException for a flow collection left open
            // across lines.
            var open = frames.FirstOrDefault(frame => frame.IsFlow);
            if (open is not null)
                ReportUnclosed(open);
            else
                context.Error(SpecPath.Root, lastMark, "YAML syntax error: malformed YAML here");
            return false;
        }
        return !context.HasErrors;
    }

    /// <summary>The input ended inside a flow collection: the '[' or '{' that was never closed is the useful place.</summary>
    private void ReportUnclosed(Frame open) =>
        context.Error(SpecPath.Root, open.Start, "YAML syntax error: a flow collection ('[...]' or '{...}') opened here is not closed");

    private bool Open(Frame frame)
    {
        frames.Push(frame);
        if (frames.Count <= MaxDepth)
            return true;
        context.Error(frame.Path, frame.Start, $"the spec nests deeper than {MaxDepth} levels");
        return false;
    }

    /// <summary>Accounts for a node starting in the current collection and returns the node's path.</summary>
    private string OnNode(Mark start, string? scalarKey)
    {
        if (frames.Count == 0)
            return SpecPath.Root;
        var parent = frames.Peek();
        if (!parent.IsMapping)
            return SpecPath.Item(parent.Path, parent.NextIndex++);
        if (parent.ExpectingKey)
        {
            parent.ExpectingKey = false;
            parent.CurrentKey = scalarKey ?? "?";
            if (scalarKey is not null && !parent.Keys.Add(scalarKey))
                context.Error(SpecPath.Child(parent.Path, scalarKey), start, $"duplicate key '{scalarKey}'");
            // A complex (non-scalar) key gets a path of its own; the readers reject such keys later.
            return SpecPath.Child(parent.Path, parent.CurrentKey);
        }
        parent.ExpectingKey = true;
        return SpecPath.Child(parent.Path, parent.CurrentKey ?? "?");
    }

    private static Mark LocateSyntaxError(YamlException exception, string text)
    {
        // YamlDotNet reports a tab used as indentation at the start of the stream; the offending line is more useful.
        if (exception.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            var lines = text.Split('\n');
            for (var index = 0; index < lines.Length; index++)
            {
                var indent = lines[index].Length - lines[index].TrimStart(' ', '\t').Length;
                if (lines[index][..indent].Contains('\t'))
                    return new Mark(0, index + 1, lines[index].IndexOf('\t') + 1);
            }
        }
        return exception.Start;
    }

    private static string Describe(YamlException exception)
    {
        var message = string.Join(' ', exception.Message.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Trim().TrimEnd('.');
        return message.Length == 0 ? "malformed YAML" : char.ToLowerInvariant(message[0]) + message[1..];
    }

    private sealed record Frame(string Path, bool IsMapping, bool IsFlow, Mark Start)
    {
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
        public bool ExpectingKey { get; set; } = true;
        public string? CurrentKey { get; set; }
        public int NextIndex { get; set; }
    }
}
