using System.Text;
using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Reads <c>session.tools</c>, keeping each parameter schema as the exact JSON text received.</summary>
internal static partial class SessionJson
{
    private static List<RealtimeToolDefinition> ReadTools(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        const string path = "session.tools[]";
        var tools = new List<RealtimeToolDefinition>();
        if (!JsonRead.ArrayOrNull(ref reader, "tools", "session"))
        {
            return tools;
        }

        while (JsonRead.NextElement(ref reader))
        {
            JsonRead.ExpectObject(ref reader, "tools[]", "session");
            string? name = null;
            var description = "";
            var parameters = "{}";
            while (JsonRead.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    if (JsonRead.StringToken(ref reader, "type", path) && !reader.ValueTextEquals("function"u8))
                    {
                        throw JsonRead.BadValue(ref reader, "type", path, "'function'");
                    }
                }
                else if (reader.ValueTextEquals("name"u8))
                {
                    name = JsonRead.RequiredString(ref reader, "name", path);
                }
                else if (reader.ValueTextEquals("description"u8))
                {
                    description = JsonRead.String(ref reader, "description", path) ?? "";
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    JsonRead.Object(ref reader, "parameters", path);
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    parameters = Encoding.UTF8.GetString(utf8[start..(int)reader.BytesConsumed]);
                }
                else
                {
                    JsonRead.Skip(ref reader);
                }
            }

            tools.Add(new RealtimeToolDefinition(name ?? throw JsonRead.Missing("name", path), description, parameters));
        }

        return tools;
    }
}
