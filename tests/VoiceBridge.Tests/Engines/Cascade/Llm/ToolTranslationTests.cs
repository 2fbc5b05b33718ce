using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

/// <summary>Golden forms of the demo tool in each provider's schema (PROTOCOLS.md, "Cascade providers").</summary>
public sealed class ToolTranslationTests
{
    private const string Parameters = """
        {"type":"object","properties":{"day":{"type":"string","description":"The day asked for, e.g. tomorrow or Friday"}},"required":["day"]}
        """;

    private static readonly ToolDefinition Tool = new CheckAvailabilityTool().Definition;

    [Fact]
    public void OpenAi_chat_nests_the_function()
    {
        AssertJson(
            """
            {"type":"function","function":{"name":"check_availability","description":"Look up free appointment slots at the clinic for a day.","parameters":PARAMETERS}}
            """.Replace("PARAMETERS", Parameters),
            ToolTranslation.ToOpenAiChat(Tool));
    }

    [Fact]
    public void Realtime_is_flattened()
    {
        AssertJson(
            """
            {"type":"function","name":"check_availability","description":"Look up free appointment slots at the clinic for a day.","parameters":PARAMETERS}
            """.Replace("PARAMETERS", Parameters),
            ToolTranslation.ToRealtime(Tool));
    }

    [Fact]
    public void Realtime_form_is_what_the_realtime_codec_writes_in_session_update()
    {
        var buffer = new ArrayBufferWriter<byte>();
        RealtimeClientWriter.WriteSessionUpdate(buffer, new RealtimeSessionConfig { Tools = [ToolTranslation.ToRealtimeDefinition(Tool)] });

        var written = JsonNode.Parse(buffer.WrittenSpan)!["session"]!["tools"]![0]!;

        AssertJson(ToolTranslation.ToRealtime(Tool).ToJsonString(), written);
    }

    [Fact]
    public void Anthropic_uses_input_schema()
    {
        AssertJson(
            """
            {"name":"check_availability","description":"Look up free appointment slots at the clinic for a day.","input_schema":PARAMETERS}
            """.Replace("PARAMETERS", Parameters),
            ToolTranslation.ToAnthropic(Tool));
    }

    [Fact]
    public void AIFunction_is_a_declaration_with_the_schema_verbatim()
    {
        var declaration = ToolTranslation.ToAIFunction(Tool);

        Assert.IsNotAssignableFrom<AIFunction>(declaration);
        Assert.Equal("check_availability", declaration.Name);
        Assert.Equal("Look up free appointment slots at the clinic for a day.", declaration.Description);
        AssertJson(Parameters, JsonNode.Parse(declaration.JsonSchema.GetRawText()));
    }

    [Fact]
    public void A_schema_that_is_not_a_json_object_is_an_error_naming_the_tool()
    {
        var bad = new ToolDefinition("broken", "d", "[1,2");

        var error = Assert.Throws<ArgumentException>(() => ToolTranslation.ToAnthropic(bad));

        Assert.Contains("broken", error.Message);
    }

    /// <summary>Semantic equality: same values, any property order or whitespace.</summary>
    internal static void AssertJson(string expected, JsonNode? actual)
    {
        var want = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(want, actual), $"expected {want?.ToJsonString()}\nactual   {actual?.ToJsonString()}");
    }
}
