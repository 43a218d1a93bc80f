using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkyServe.ReplicaAgent.Tests.OpenAi;

/// <summary>OpenAI's error body: {"error":{"message":...,"type":...,"param":...,"code":...}}.</summary>
public static class OpenAiErrorShape
{
    /// <summary>Why <paramref name="body"/> is not a well-formed OpenAI error, or null when it is.</summary>
    public static string? Problem(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
            return $"content type {response.Content.Headers.ContentType?.MediaType ?? "(none)"}";
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return $"not JSON ({e.Message})";
        }
        if (root is not JsonObject { Count: 1 } top || top["error"] is not JsonObject error)
            return "no single \"error\" object";
        if (error["message"] is not JsonValue message || message.GetValueKind() != JsonValueKind.String || message.GetValue<string>().Length == 0)
            return "no message";
        if (error["type"] is not JsonValue type || type.GetValueKind() != JsonValueKind.String)
            return "no type";
        foreach (var name in new[] { "param", "code" })
            if (!error.ContainsKey(name) || error[name] is { } value && value.GetValueKind() != JsonValueKind.String)
                return $"{name} is neither a string nor null";
        return null;
    }

    /// <summary>Asserts the status and the error shape, and returns the error object.</summary>
    public static async Task<JsonObject> AssertAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.True(Problem(response, body) is null, $"{Problem(response, body)}: {body}");
        return JsonNode.Parse(body)!["error"]!.AsObject();
    }
}
