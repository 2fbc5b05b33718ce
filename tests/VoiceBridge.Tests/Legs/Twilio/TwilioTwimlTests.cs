using System.Xml.Linq;
using VoiceBridge.Legs.Twilio;

namespace VoiceBridge.Tests.Legs.Twilio;

public sealed class TwilioTwimlTests
{
    [Fact]
    public void Connect_stream_carries_url_and_parameters_in_order()
    {
        var parameters = new Dictionary<string, string> { ["CallSid"] = "CA1", ["From"] = "+1555 & <x>", ["To"] = "+1666" };

        XElement response = XDocument.Parse(TwilioTwiml.ConnectStream("wss://example.com/twilio/media", parameters)).Root!;

        Assert.Equal("Response", response.Name.LocalName);
        XElement stream = Assert.Single(Assert.Single(response.Elements("Connect")).Elements("Stream"));
        Assert.Equal("wss://example.com/twilio/media", (string?)stream.Attribute("url"));
        Assert.Equal(
            parameters.ToList(),
            stream.Elements("Parameter").Select(p => KeyValuePair.Create((string)p.Attribute("name")!, (string)p.Attribute("value")!)).ToList());
    }

    [Fact]
    public void Without_parameters_the_stream_is_empty()
    {
        XElement stream = XDocument.Parse(TwilioTwiml.ConnectStream("ws://127.0.0.1:5000/twilio/media", new Dictionary<string, string>()))
            .Descendants("Stream").Single();

        Assert.Empty(stream.Elements());
    }

    [Theory]
    [InlineData("https://example.com/twilio/media")]
    [InlineData("/twilio/media")]
    [InlineData("not a url")]
    public void Stream_url_must_be_an_absolute_websocket_url(string url)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => TwilioTwiml.ConnectStream(url, new Dictionary<string, string>()));

        Assert.Contains(url, error.Message);
    }
}
