namespace SkyServe.Inference.ChatTemplates;

/// <summary>One turn of a conversation as a chat template sees it: message.role and message.content.</summary>
public sealed record ChatMessage(string Role, string Content);
