using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkyServe.LoadBalancer.Resumption;

/// <summary>
/// What the client has of one generation, across the replicas that produced it: the text passed on, the token ids
/// behind it (when the replicas report them), and the identity (<c>id</c>, <c>created</c>, <c>model</c>) every chunk
/// is given so that a continuation reads as the same answer.
/// </summary>
public sealed class GenerationProgress
{
    private readonly StringBuilder text = new();
    private readonly List<int> tokenIds = [];

    public string Text => text.ToString();
    public int TextLength => text.Length;
    /// <summary>Every id sampled so far, while every event came with its ids (the built-in engine); else null.</summary>
    public IReadOnlyList<int>? TokenIds => idsComplete ? tokenIds : null;
    private bool idsComplete = true;

    /// <summary>Tokens produced: the ids, or for engines that do not report them one per event with text.</summary>
    public int Produced { get; private set; }
    public string? FinishReason { get; set; }
    /// <summary>The client got an event with the finish reason.</summary>
    public bool Finished { get; set; }
    /// <summary>A tool call began: its arguments cannot be continued as text.</summary>
    public bool ToolCalls { get; set; }
    /// <summary>The first chunk went out (chat: it carried the assistant role).</summary>
    public bool Started { get; private set; }
    public JsonNode? Id { get; private set; }
    public JsonNode? Created { get; private set; }
    public JsonNode? Model { get; private set; }
    /// <summary>
    /// The first chunk's <c>id</c>, <c>created</c> and <c>model</c> as JSON text, when it had all three: a chunk whose own
    /// are the same bytes may go out as it came (<see cref="PlainChunk"/>).
    /// </summary>
    public ReadOnlyMemory<byte>[]? Identity { get; private set; }
    /// <summary>Events were written to the client's response since it was last flushed.</summary>
    public bool EventsUnsent { get; set; }
    /// <summary>The prompt's token count, from the first usage a replica reported.</summary>
    public int? PromptTokens { get; set; }

    /// <summary>Takes the identity of the first chunk, and gives it to every later one.</summary>
    public void Stamp(JsonObject chunk)
    {
        if (!Started)
        {
            Id = chunk["id"]?.DeepClone();
            Created = chunk["created"]?.DeepClone();
            Model = chunk["model"]?.DeepClone();
            if (Id is not null && Created is not null && Model is not null)
                Identity = [Raw(Id), Raw(Created), Raw(Model)];
            Started = true;
            return;
        }
        if (Id is not null)
            chunk["id"] = Id.DeepClone();
        if (Created is not null)
            chunk["created"] = Created.DeepClone();
        if (Model is not null)
            chunk["model"] = Model.DeepClone();
    }

    private static readonly JsonSerializerOptions RawJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte[] Raw(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(RawJson));

    /// <summary>Counts what one event brought: its text (passed on) and its ids (null when the engine sent none).</summary>
    public void Add(string delta, JsonArray? ids)
    {
        text.Append(delta);
        if (ids is null)
        {
            idsComplete = false;
            if (delta.Length > 0)
                Produced++;
            return;
        }
        foreach (var id in ids)
            tokenIds.Add(id!.GetValue<int>());
        Produced += ids.Count;
    }
}
