using System.Text.Json.Nodes;

namespace SkyServe.Controller.Tests.SpecKeys;

/// <summary>
/// The keys a JSON schema accepts, as dotted paths (<c>service.readiness_probe.path</c>, <c>resources.any_of[].zone</c>,
/// <c>file_mounts.*.mode</c> for a map's values): the leaves, and the maps whose names are free (envs, labels).
/// </summary>
internal static class SchemaKeys
{
    public static IReadOnlyList<string> Leaves(string schemaFile)
    {
        var schema = JsonNode.Parse(File.ReadAllText(schemaFile))!.AsObject();
        var found = new List<string>();
        Walk(schema, schema, "", found, []);
        return found.Distinct().ToList();
    }

    private static void Walk(JsonObject root, JsonNode? node, string path, List<string> found, HashSet<string> refs)
    {
        if (node is not JsonObject schema)
            return;
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            var name = reference.Split('/')[^1];
            if (refs.Add(name))
                Walk(root, root["$defs"]![name], path, found, refs);
            return;
        }
        foreach (var keyword in new[] { "oneOf", "anyOf", "allOf" })
            foreach (var branch in schema[keyword]?.AsArray() ?? [])
                Walk(root, branch, path, found, new HashSet<string>(refs));
        if (schema["items"] is { } items)
            Walk(root, items, path + "[]", found, new HashSet<string>(refs));
        if (schema["additionalProperties"] is JsonObject values && HasProperties(root, values))
            Walk(root, values, path + ".*", found, new HashSet<string>(refs));
        if (schema["properties"] is not JsonObject properties)
            return;
        foreach (var (key, child) in properties)
        {
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            var before = found.Count;
            Walk(root, child, childPath, found, new HashSet<string>(refs));
            if (found.Count == before)
                found.Add(childPath); // a leaf (or a free-form map): it needs its own case
        }
    }

    private static bool HasProperties(JsonObject root, JsonObject schema) =>
        schema["properties"] is not null || schema["$ref"] is not null
        || new[] { "oneOf", "anyOf", "allOf" }.Any(k => schema[k]?.AsArray().Any(b => b is JsonObject o && HasProperties(root, o)) == true);
}
