// Placeholder: one router's status, history charts, operations.
export default function RouterDetail() {
  return null;
}
