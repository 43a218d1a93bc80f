using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace SkyServe.Controller.Tests;

internal static class HttpJson
{
    public static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    public static ByteArrayContent YamlBytes(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/yaml");
        return content;
    }

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    /// <summary>Asserts the status and that the body is RFC 7807 problem+json; returns the problem.</summary>
    public static async Task<JsonNode> AssertProblemAsync(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
        return problem;
    }

    public static async Task<HttpResponseMessage> PostSpecAsync(this HttpClient client, string spec, string? name = null) =>
        await client.PostAsync("/api/v1/services" + (name is null ? "" : $"?name={name}"), Yaml(spec));

    public static async Task<JsonNode> CreateAsync(this HttpClient client, string spec, string? name = null)
    {
        var response = await client.PostSpecAsync(spec, name);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!;
    }

    public static MediaTypeHeaderValue Json => new("application/json");
}
