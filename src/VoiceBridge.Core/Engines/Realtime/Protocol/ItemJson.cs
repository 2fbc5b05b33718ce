using System.Text;
using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Writes and reads conversation items (<c>realtime.item</c>).</summary>
internal static class ItemJson
{
    /// <summary>Rejects items that cannot be written, before any byte of the event is.</summary>
    public static void Validate(RealtimeItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Type == RealtimeItemType.Unknown)
        {
            throw new ArgumentException("only message and function items can be written", nameof(item));
        }

        if (item.Type == RealtimeItemType.Message && item.Role is null)
        {
            throw new ArgumentException("a message item needs a role", nameof(item));
        }
    }

    /// <summary>Writes a validated item as a JSON object value; server echoes also carry <c>"object":"realtime.item"</c>.</summary>
    public static void Write(Utf8JsonWriter writer, RealtimeItem item, bool serverEcho)
    {
        writer.WriteStartObject();
        if (item.Id is not null)
        {
            writer.WriteString("id"u8, item.Id);
        }

        writer.WriteString("type"u8, RealtimeWireNames.ItemType(item.Type));
        if (serverEcho)
        {
            writer.WriteString("object"u8, "realtime.item"u8);
        }

        if (item.Status is not null)
        {
            writer.WriteString("status"u8, item.Status);
        }

        switch (item.Type)
        {
            case RealtimeItemType.Message:
                WriteMessageBody(writer, item);
                break;
            case RealtimeItemType.FunctionCall:
                writer.WriteString("call_id"u8, item.CallId);
                writer.WriteString("name"u8, item.Name);
                writer.WriteString("arguments"u8, item.Arguments);
                break;
            default:
                writer.WriteString("call_id"u8, item.CallId);
                writer.WriteString("output"u8, item.Output);
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteMessageBody(Utf8JsonWriter writer, RealtimeItem item)
    {
        var role = item.Role.GetValueOrDefault();
        writer.WriteString("role"u8, RealtimeWireNames.Role(role));
        writer.WriteStartArray("content"u8);
        if (item.ContentType is not null || item.Text is not null)
        {
            var type = item.ContentType ?? (role == RealtimeRole.Assistant ? RealtimeContentType.OutputText : RealtimeContentType.InputText);
            writer.WriteStartObject();
            writer.WriteString("type"u8, RealtimeWireNames.ContentType(type));
            writer.WriteString(RealtimeWireNames.IsAudio(type) ? "transcript"u8 : "text"u8, item.Text);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Reads the item object the reader stands on (its start token); <paramref name="path"/> names it in errors.</summary>
    public static RealtimeItem Read(ref Utf8JsonReader reader, string path, Utf8StringCache ids)
    {
        var item = new RealtimeItem();

        // Every content part's text and transcript, joined once at the end: an item repeating "content",
        // "text" or "transcript" costs linear time, not quadratic.
        StringBuilder? text = null;
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                item = item with { Id = ids.Read(ref reader, "id", path) };
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                item = item with
                {
                    Type = JsonRead.StringToken(ref reader, "type", path) ? RealtimeWireNames.ItemType(ref reader) : RealtimeItemType.Unknown,
                };
            }
            else if (reader.ValueTextEquals("role"u8))
            {
                item = item with { Role = ReadRole(ref reader, path) };
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                item = item with { Status = ids.Read(ref reader, "status", path) };
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                item = ReadContent(ref reader, item, path, ref text);
            }
            else if (reader.ValueTextEquals("call_id"u8))
            {
                item = item with { CallId = ids.Read(ref reader, "call_id", path) };
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                item = item with { Name = ids.Read(ref reader, "name", path) };
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                item = item with { Arguments = JsonRead.String(ref reader, "arguments", path) };
            }
            else if (reader.ValueTextEquals("output"u8))
            {
                item = item with { Output = JsonRead.String(ref reader, "output", path) };
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        return text is null ? item : item with { Text = text.ToString() };
    }

    private static RealtimeRole? ReadRole(ref Utf8JsonReader reader, string path)
    {
        if (!JsonRead.StringToken(ref reader, "role", path))
        {
            return null;
        }

        return RealtimeWireNames.Role(ref reader) ?? throw JsonRead.BadValue(ref reader, "role", path, "system, user or assistant");
    }

    private static RealtimeItem ReadContent(ref Utf8JsonReader reader, RealtimeItem item, string path, ref StringBuilder? text)
    {
        if (!JsonRead.ArrayOrNull(ref reader, "content", path))
        {
            return item;
        }

        while (JsonRead.NextElement(ref reader))
        {
            JsonRead.ExpectObject(ref reader, "content[]", path);
            while (JsonRead.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    if (JsonRead.StringToken(ref reader, "content[].type", path) && item.ContentType is null)
                    {
                        item = item with { ContentType = RealtimeWireNames.ContentType(ref reader) };
                    }
                }
                else if (reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("transcript"u8))
                {
                    if (JsonRead.String(ref reader, "content[].text", path) is { } part)
                    {
                        (text ??= new StringBuilder()).Append(part);
                    }
                }
                else
                {
                    JsonRead.Skip(ref reader);
                }
            }
        }

        return item;
    }
}
