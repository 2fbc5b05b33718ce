using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>
/// The one canonical <see cref="ToolDefinition"/>, translated into each provider's tool schema
/// (PROTOCOLS.md, "Cascade providers"). The parameters schema is carried verbatim in every form.
/// </summary>
public static class ToolTranslation
{
    /// <summary>
    /// A declaration for <see cref="IChatClient"/> (<c>ChatOptions.Tools</c>): it describes the tool
    /// and cannot be invoked, since the call session, not the chat client, runs tools.
    /// </summary>
    public static AIFunctionDeclaration ToAIFunction(ToolDefinition tool) =>
        AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, ParseSchema(tool).Deserialize<JsonElement>());

    /// <summary>Declarations for every tool, for <c>ChatOptions.Tools</c>.</summary>
    public static IList<AITool> ToAITools(IEnumerable<ToolDefinition> tools) => [.. tools.Select(ToAIFunction)];

    /// <summary>OpenAI chat completions: <c>{type:"function", function:{name, description, parameters}}</c>.</summary>
    public static JsonObject ToOpenAiChat(ToolDefinition tool) => new()
    {
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = tool.Name,
            ["description"] = tool.Description,
            ["parameters"] = ParseSchema(tool),
        },
    };

    /// <summary>OpenAI Realtime, flattened: <c>{type:"function", name, description, parameters}</c>.</summary>
    public static JsonObject ToRealtime(ToolDefinition tool) => new()
    {
        ["type"] = "function",
        ["name"] = tool.Name,
        ["description"] = tool.Description,
        ["parameters"] = ParseSchema(tool),
    };

    /// <summary>The Realtime codec's typed form of the same flattened tool.</summary>
    public static RealtimeToolDefinition ToRealtimeDefinition(ToolDefinition tool) =>
        new(tool.Name, tool.Description, tool.ParametersJsonSchema);

    /// <summary>Anthropic Messages: <c>{name, description, input_schema}</c>.</summary>
    public static JsonObject ToAnthropic(ToolDefinition tool) => new()
    {
        ["name"] = tool.Name,
        ["description"] = tool.Description,
        ["input_schema"] = ParseSchema(tool),
    };

    private static JsonObject ParseSchema(ToolDefinition tool)
    {
        try
        {
            return JsonNode.Parse(tool.ParametersJsonSchema) as JsonObject
                ?? throw new ArgumentException($"tool '{tool.Name}': the parameters schema is not a JSON object", nameof(tool));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"tool '{tool.Name}': the parameters schema is not valid JSON: {e.Message}", nameof(tool), e);
        }
    }
}
