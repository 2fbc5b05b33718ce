using System.Buffers;
using System.Text;
using System.Text.Json;
using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>Test helpers: build an event into bytes, inspect it as JSON, parse it back.</summary>
internal static class Wire
{
    public static byte[] Build(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static string Text(Action<IBufferWriter<byte>> write) => Encoding.UTF8.GetString(Build(write));

    public static JsonElement Json(Action<IBufferWriter<byte>> write)
    {
        using var document = JsonDocument.Parse(Build(write));
        return document.RootElement.Clone();
    }

    public static RealtimeServerEvent Server(Action<IBufferWriter<byte>> write) => Server(Build(write));

    public static RealtimeServerEvent Server(string json) => Server(Encoding.UTF8.GetBytes(json));

    public static RealtimeServerEvent Server(byte[] utf8)
    {
        var parsed = new RealtimeServerEvent();
        Assert.True(RealtimeServerParser.TryParse(utf8, parsed, out var error), error);
        Assert.Null(error);
        return parsed;
    }

    public static RealtimeClientEvent Client(Action<IBufferWriter<byte>> write)
    {
        var parsed = new RealtimeClientEvent();
        Assert.True(RealtimeClientParser.TryParse(Build(write), parsed, out var error), error);
        Assert.Null(error);
        return parsed;
    }

    public static string ServerError(string json)
    {
        var parsed = new RealtimeServerEvent();
        Assert.False(RealtimeServerParser.TryParse(Encoding.UTF8.GetBytes(json), parsed, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }

    public static string ClientError(string json)
    {
        var parsed = new RealtimeClientEvent();
        Assert.False(RealtimeClientParser.TryParse(Encoding.UTF8.GetBytes(json), parsed, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }

    public static RealtimeToolDefinition LookupTool { get; } = new(
        "lookup_order",
        "Find an order by its number",
        """{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}""");
}
