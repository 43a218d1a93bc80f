using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using SkyServe.Core.Spec;

namespace SkyServe.Cli;

/// <summary>
/// What <c>up</c> and <c>update</c> send: the spec text as written and what was given beside it. Built in one place so
/// that steps such as uploads can add to it. A bare spec goes as YAML; with inputs or uploads it goes as the
/// controller's submission media type.
/// </summary>
public sealed class SpecSubmissionRequest(string specText)
{
    public const string SubmissionMediaType = "application/vnd.skyserve.submission+json";

    public string SpecText { get; } = specText;

    public SpecInputs Inputs { get; set; } = SpecInputs.None;

    /// <summary><c>{"workdir": "sha256:..", "file_mounts": {"/target": "sha256:.."}}</c>; null: nothing uploaded.</summary>
    public JsonObject? Uploads { get; set; }

    public bool IsBareSpec => Inputs.IsEmpty && Uploads is null;

    public HttpContent ToContent()
    {
        if (IsBareSpec)
            return new StringContent(SpecText, Encoding.UTF8, "application/yaml");
        var body = new JsonObject { ["spec"] = SpecText };
        if (Inputs.Envs.Count > 0)
            body["envs"] = Map(Inputs.Envs);
        if (Inputs.Secrets.Count > 0)
            body["secrets"] = Map(Inputs.Secrets);
        if (!Inputs.Resources.IsEmpty)
        {
            var overrides = Inputs.Resources;
            body["resources"] = new JsonObject
            {
                ["infra"] = overrides.Infra,
                ["cloud"] = overrides.Cloud,
                ["region"] = overrides.Region,
                ["zone"] = overrides.Zone,
                ["accelerators"] = overrides.Accelerators,
                ["use_spot"] = overrides.UseSpot,
            };
        }
        if (Uploads is not null)
            body["uploads"] = Uploads.DeepClone();
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(SubmissionMediaType) { CharSet = "utf-8" };
        return content;
    }

    private static JsonObject Map(IReadOnlyDictionary<string, string> values)
    {
        var map = new JsonObject();
        foreach (var (key, value) in values)
            map[key] = value;
        return map;
    }
}
