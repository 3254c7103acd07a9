// The seed's greeter in JavaScript (componentize-js, StarlingMonkey inside):
// greet(name, up) answers "Hello, {name}", entirely uppercased when `up`.
export const greeter = {
  greet(name, up) {
    const text = `Hello, ${name}`;
    return up ? text.toUpperCase() : text;
  },
};
